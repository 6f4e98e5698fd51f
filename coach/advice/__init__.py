"""Answers to the user's questions: routing money questions to the engine, drafting from the
guides, wording by the model under the guard, conversations and offer counsel.
"""
