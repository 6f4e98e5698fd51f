"""The checks on what a model writes: every figure grounded in the sources, each figure keeping
the meaning the code gave it, and recruiter lines that give nothing away.
"""
