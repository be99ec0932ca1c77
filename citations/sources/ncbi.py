"""NCBI: PubMed records through E-utilities (efetch XML, esearch for a DOI's PMID) and the
PMC ID converter. NCBI allows 3 requests a second without an API key and 10 with one."""

import calendar
import re

from django.conf import settings
from lxml import etree

from ..identifiers import normalize_doi, normalize_pmcid, normalize_pmid, strip_doi
from ..readers.medline import GENERIC_PUBLICATION_TYPES
from . import http

SERVICE = "PubMed"
IDCONV_SERVICE = "The PMC ID converter"
MONTHS = {calendar.month_abbr[i].lower(): i for i in range(1, 13)}
NOTICE_REF_TYPES = {
    "RetractionIn": "retraction",
    "ExpressionOfConcernIn": "concern",
    "ErratumIn": "correction",
}
_rate = http.RateLimit()
_parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def _params(**params) -> dict:
    params["tool"] = "qa-cms"
    if settings.CROSSREF_MAILTO:
        params["email"] = settings.CROSSREF_MAILTO
    if settings.NCBI_API_KEY:
        params["api_key"] = settings.NCBI_API_KEY
    return params


def _get(url, params, *, service=SERVICE, not_found=""):
    return http.get(
        url,
        params=params,
        service=service,
        rate=_rate,
        per_second=10 if settings.NCBI_API_KEY else 3,
        not_found=not_found,
    )


def fetch_article(pmid: str) -> dict:
    """PubMed's record for a PMID as {"csl": CSL-JSON item, "notices": [...]}."""
    pmid = normalize_pmid(pmid)

    def fetch():
        response = _get(
            f"{settings.NCBI_EUTILS_URL}/efetch.fcgi",
            _params(db="pubmed", id=pmid, retmode="xml"),
        )
        try:
            root = etree.fromstring(response.content, _parser)
        except etree.XMLSyntaxError:
            raise http.Malformed(
                f"PubMed's answer for PMID {pmid} is not valid XML; nothing was saved."
            ) from None
        articles = root.findall("PubmedArticle") if root.tag == "PubmedArticleSet" else []
        if not articles:
            raise http.NotFound(f"PubMed has no record with PMID {pmid}: check the number.")
        article = articles[0]
        if article.findtext("MedlineCitation/PMID") != pmid:
            raise http.Malformed(
                f"PubMed answered with another record when asked for PMID {pmid}; nothing was saved."
            )
        return {"csl": _article_csl(article), "notices": _article_notices(article)}

    return http.cached(("pubmed", pmid), fetch)


def pmid_for_doi(doi: str) -> str:
    """The PMID PubMed gives a DOI, or "" when it has none (or more than one)."""
    doi = normalize_doi(doi)

    def fetch():
        response = _get(
            f"{settings.NCBI_EUTILS_URL}/esearch.fcgi",
            _params(db="pubmed", term=f"{doi}[doi]", retmode="json"),
        )
        body = http.json_body(response, service=SERVICE)
        result = body.get("esearchresult") if isinstance(body, dict) else None
        ids = result.get("idlist") if isinstance(result, dict) else None
        if not isinstance(ids, list) or not all(isinstance(i, str) and i.isdigit() for i in ids):
            raise http.Malformed("PubMed's search answer has no list of PMIDs; nothing was saved.")
        return ids[0] if len(ids) == 1 else ""

    return http.cached(("pubmed-doi", doi), fetch)


def convert_pmcid(pmcid: str) -> dict:
    """The PMID and DOI the PMC ID converter gives a PMCID: {"pmid": ..., "doi": ...}."""
    pmcid = normalize_pmcid(pmcid)

    def fetch():
        response = _get(
            settings.PMC_IDCONV_URL,
            _params(ids=pmcid, format="json"),
            service=IDCONV_SERVICE,
            not_found=f"PubMed Central has no article {pmcid}.",
        )
        body = http.json_body(response, service=IDCONV_SERVICE)
        records = body.get("records") if isinstance(body, dict) else None
        if not isinstance(records, list) or body.get("status") != "ok":
            raise http.Malformed(
                f"The PMC ID converter's answer for {pmcid} has no records; nothing was saved."
            )
        record = next(
            (r for r in records if isinstance(r, dict) and r.get("pmcid", "").upper() == pmcid),
            None,
        )
        if record is None or record.get("status") == "error":
            raise http.NotFound(f"PubMed Central has no article {pmcid}: check the number.")
        return {"pmid": str(record.get("pmid") or ""), "doi": record.get("doi") or ""}

    return http.cached(("idconv", pmcid), fetch)


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def _pages(article) -> str:
    start = _text(article.find("Pagination/StartPage"))
    end = _text(article.find("Pagination/EndPage"))
    if start:
        return f"{start}-{end}" if end else start
    pages = _text(article.find("Pagination/MedlinePgn"))
    # MEDLINE shortens the last page (637-41); AMA prints it whole (637-641).
    match = re.fullmatch(r"(\d+)-(\d+)", pages)
    if match and len(match[2]) < len(match[1]):
        pages = f"{match[1]}-{match[1][: len(match[1]) - len(match[2])]}{match[2]}"
    return pages


def _date(issue) -> list[int]:
    year = _text(issue.find("PubDate/Year"))
    if not year:
        found = re.match(r"\d{4}", _text(issue.find("PubDate/MedlineDate")))
        return [int(found.group())] if found else []
    parts = [int(year)]
    month = _text(issue.find("PubDate/Month")).lower()
    month = int(month) if month.isdigit() else MONTHS.get(month[:3])
    if month:
        parts.append(month)
        day = _text(issue.find("PubDate/Day"))
        if day.isdigit():
            parts.append(int(day))
    return parts


def _article_csl(pubmed_article) -> dict:
    citation = pubmed_article.find("MedlineCitation")
    article = citation.find("Article")
    if article is None:
        raise http.Malformed("PubMed's record has no article; nothing was saved.")
    item = {"type": "article-journal", "PMID": citation.findtext("PMID")}
    title = _text(article.find("ArticleTitle"))
    if title:
        item["title"] = title[:-1] if title.endswith(".") else title
    authors = []
    for author in article.findall("AuthorList/Author"):
        family = _text(author.find("LastName"))
        # Without a forename, initials "AJ" become "A J" so the style prints both.
        given = _text(author.find("ForeName")) or " ".join(_text(author.find("Initials")))
        if family:
            authors.append({"family": family, "given": given} if given else {"family": family})
        elif _text(author.find("CollectiveName")):
            authors.append({"literal": _text(author.find("CollectiveName"))})
    if authors:
        item["author"] = authors
    journal = article.find("Journal")
    fields = {
        "container-title": _text(journal.find("Title")) if journal is not None else "",
        "container-title-short": _text(citation.find("MedlineJournalInfo/MedlineTA"))
        or (_text(journal.find("ISOAbbreviation")) if journal is not None else ""),
        "volume": _text(journal.find("JournalIssue/Volume")) if journal is not None else "",
        "issue": _text(journal.find("JournalIssue/Issue")) if journal is not None else "",
        "page": _pages(article),
    }
    item.update({key: value for key, value in fields.items() if value})
    issue = journal.find("JournalIssue") if journal is not None else None
    parts = _date(issue) if issue is not None else []
    if parts:
        item["issued"] = {"date-parts": [parts]}
    ids = {
        node.get("IdType"): _text(node)
        for node in pubmed_article.findall("PubmedData/ArticleIdList/ArticleId")
    }
    doi = ids.get("doi") or next(
        (_text(n) for n in article.findall("ELocationID") if n.get("EIdType") == "doi"), ""
    )
    if doi:
        item["DOI"] = doi
    if ids.get("pmc"):
        item["PMCID"] = normalize_pmcid(ids["pmc"])
    types = [
        _text(node)
        for node in article.findall("PublicationTypeList/PublicationType")
        if _text(node).lower() not in GENERIC_PUBLICATION_TYPES
        and not _text(node).startswith("Research Support")
        and _text(node) != "Retracted Publication"
    ]
    if types:
        item["genre"] = ", ".join(types)
    return item


def _article_notices(pubmed_article) -> list[dict]:
    citation = pubmed_article.find("MedlineCitation")
    found = []
    for node in citation.findall("CommentsCorrectionsList/CommentsCorrections"):
        kind = NOTICE_REF_TYPES.get(node.get("RefType"))
        if kind is None:
            continue
        source = _text(node.find("RefSource"))
        doi = re.search(r"doi:\s*(10\.\S+?)\.?(?:\s|$)", source)
        found.append(
            {
                "kind": kind,
                "doi": strip_doi(doi[1]) if doi else "",
                "pmid": _text(node.find("PMID")),
                "date": "",
                "source": f"PubMed ({source})" if source else "PubMed",
            }
        )
    types = {_text(n) for n in citation.findall("Article/PublicationTypeList/PublicationType")}
    if "Retracted Publication" in types and not any(n["kind"] == "retraction" for n in found):
        found.append({"kind": "retraction", "doi": "", "pmid": "", "date": "", "source": "PubMed"})
    return found
