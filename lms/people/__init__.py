"""Personal data: what the system holds about a person, erasing a person, retention."""
