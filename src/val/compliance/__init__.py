"""Victims' Code compliance: working-day deadlines, the rights catalogue, points, and Board summaries."""
