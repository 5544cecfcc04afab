"""lifecircle: the 15-minute community life circle (15分钟社区生活圈) from real walking networks.

Import order matters for nothing: importing the package reads no files and sets nothing up.
"""

__version__ = "0.1.0"
