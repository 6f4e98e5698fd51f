"""The eval suites (answers, counters, the guard, fairness, role-play) and the speed and memory
bench.
"""
