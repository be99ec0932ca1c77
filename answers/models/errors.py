"""What a refused transition raises."""


class WorkflowError(Exception):
    """A transition was refused. `problems` lists every reason, in words a writer understands."""

    def __init__(self, problems):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__(" ".join(self.problems))


class SignatureRefused(WorkflowError):
    """The password given as a signature was not the signer's: nothing was signed."""
