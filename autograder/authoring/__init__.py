"""Authoring the course: what turns the one English source into what students get."""
