"""`comptoir demo`: a workspace filled with realistic generated data (fakedata.py), one
module per app's part (contacts, consent, commerce, campaigns) and fill.py joining them. A
use case across the apps, so it sits above them all: no app, and not core, imports it."""
