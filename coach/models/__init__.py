"""The language models and what feeds them: providers, the embedded llama.cpp model and its
files, the fake model, embeddings, prompt templates and the message adapter. Imports only
config and errors.
"""
