"""Practice negotiations: the recruiter's hidden plan and engine, its lines, reading the
candidate, the session, the scorecard and tips, script rehearsal and the history database.
"""
