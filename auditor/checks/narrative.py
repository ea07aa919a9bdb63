"""Rules reconciling the narrative's claims with the tables and with each other."""
