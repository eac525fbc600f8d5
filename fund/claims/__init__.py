"""Workers' claims: not on the roll, wrong amount, not received.

A claim is filed (by the helpline, an officer, for a worker or a union), matched against the
event's roll and payments (`matching`: national ID, phone, names in Bengali and Latin), and
decided: accepted (a supplementary roll version, a recomputation and a top-up batch through the
usual four-eyes approval), rejected with a reason, or referred. Every step is audited.
"""
