"""Member brands: who they are, what they pledged and paid, and how the fund used it."""
