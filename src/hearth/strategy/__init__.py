"""Strategy: portraits, network fit, SMART goals and their forecast."""
