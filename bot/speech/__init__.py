"""Spoken prompts for the call: text in, a WAV that Graph's playPrompt accepts out.

Graph has no text-to-speech, so the bot makes the audio itself: with espeak-ng offline, with
Azure AI Speech in production, or from recorded files. Every backend returns RIFF/WAVE PCM,
mono, 16-bit, 16 kHz, the only format playPrompt plays.
"""
