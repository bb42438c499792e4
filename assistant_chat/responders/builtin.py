"""The built-in responder: answers from the live database, with no outside service."""

from __future__ import annotations

from assistant_chat.responders import intents
from assistant_chat.responders.base import Question


class BuiltinResponder:
    def reply(self, question: Question) -> str:
        for intent in intents.INTENTS:
            found = intent.match(question)
            if found is not None:
                return intent.answer(question, found)
        return intents.help_text()

    def facts(self, question: Question, *, answer: str) -> str:
        """``answer`` (this responder's reply to ``question``) and the live facts
        around it, for a language model to answer from."""
        return "\n\n---\n\n".join([answer, *intents.facts(question)])
