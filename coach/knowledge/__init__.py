"""The guides: reading their Markdown, chunking, extracting each guide's playbook, ingesting
into the vector store, hybrid retrieval and the guide services the commands use.
"""
