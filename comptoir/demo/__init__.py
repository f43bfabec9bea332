"""`comptoir demo`: a workspace filled with realistic generated data. A use case across the
apps (each adds its part: contacts/demo.py, consent/demo.py, commerce/demo.py,
campaigns/demo.py), so it sits above them all, where core need not import them."""
