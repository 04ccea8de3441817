"""Typed settings and the organisation/policy data files. Imports nothing of ours."""
