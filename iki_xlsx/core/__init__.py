"""Shared types every layer uses: findings and the code catalog, errors, numbers, years, units,
atomic files, progress.
"""
