"""The surface-water engine: import, assessment, shares, CWQI, observations."""
