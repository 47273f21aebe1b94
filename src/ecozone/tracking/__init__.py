"""Target tracking: evaluation of every target, projection, status, roll-ups and alerts."""
