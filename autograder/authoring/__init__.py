"""The instructor's authoring tools: what makes an exercise, and commands that change them."""
