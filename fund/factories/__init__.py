"""Factories the fund covers and the member brands sourcing from each."""
