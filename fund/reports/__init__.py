"""Reports on the books for accountants and auditors: trial balance, verification, exports."""
