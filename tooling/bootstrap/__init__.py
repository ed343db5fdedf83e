"""``make bootstrap``: create the account's bootstrap stack, move its state into the bucket it made,
print and write the settings every other deploy needs (see ``cli.py``)."""
