"""What a refused transition raises."""


class WorkflowError(Exception):
    """A transition was refused. `problems` lists every reason, in words a writer understands."""

    def __init__(self, problems):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__(" ".join(self.problems))


class SignatureRefused(WorkflowError):
    """The password given as a signature was not the signer's: nothing was signed."""


class StaleSignature(WorkflowError):
    """The page signed from showed other content than the answer holds now: a signature
    means "I saw exactly this", so nothing was signed. `shown_hash` is what the page showed."""

    def __init__(self, problems, *, shown_hash=""):
        self.shown_hash = shown_hash
        super().__init__(problems)
