"""Authors as the admin's authors box shows them: one line per name, family name first."""


def name_line(name: dict) -> str:
    """One author as a line of the authors box: "Family, Given", or the literal name."""
    if name.get("literal"):
        return name["literal"].strip()
    family = " ".join(
        part for part in (name.get("non-dropping-particle"), name.get("family")) if part
    )
    given = " ".join(part for part in (name.get("given"), name.get("dropping-particle")) if part)
    if name.get("suffix"):
        given = f"{given}, {name['suffix']}" if given else name["suffix"]
    return f"{family}, {given}" if given else f"{family},"


def parse_name_line(line: str) -> dict:
    """The reverse of name_line for what a person types: text before the first comma is the
    family name; a line without a comma is one name as written (an organisation)."""
    if "," not in line:
        return {"literal": line}
    family, given = (part.strip() for part in line.split(",", 1))
    return {"family": family, "given": given} if given else {"family": family}
