"""Timed work: runs due jobs from the store on whichever bot instance claims them first."""
