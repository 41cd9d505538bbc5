"""The plan: every cell's place computed once from a blueprint, its typed keys, the manifest, page
layout, and the register of what was generated.
"""
