"""nbgrader plug-ins and configurables that nbgrader_config.py names."""
