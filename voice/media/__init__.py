"""Media helpers every transport uses: PCM conversion and resampling, G.711, and
the absolute-clock 20 ms pacer.
"""
