"""The contact-center room: routing rules, queues, human handoff, the agent desktop
and supervision (listen, whisper, barge). Never imports a transport.
"""
