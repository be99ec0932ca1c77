"""How writers and clinicians are named in bylines, the admin and structured data."""


def display_name(user):
    """The public name of a user: their contributor profile, else their full name or username."""
    contributor = getattr(user, "contributor", None) if user else None
    if contributor:
        return contributor.display_name
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def person(user):
    """A writer or reviewer as the byline and structured data name them."""
    contributor = getattr(user, "contributor", None)
    return {
        "name": display_name(user),
        "credentials": contributor.credentials if contributor else "",
        "role": contributor.role_title if contributor else "",
        "orcid": contributor.orcid if contributor else "",
        "slug": contributor.slug if contributor else "",
    }


def printed_name(user):
    """The name a sign-off records, as the byline prints it: "Ann Smith, MD"."""
    named = person(user)
    return f"{named['name']}, {named['credentials']}" if named["credentials"] else named["name"]
