"""Local stand-ins for Crossref and NCBI, answering as their documentation describes
(Crossref REST API `works/{doi}`; E-utilities efetch XML and esearch JSON; the PMC ID
converter's JSON), filled only with real bibliographic data: the sample articles' own
references (read from tests/citations/data) and real retracted works with their real notices.
"""

import json
import re
from pathlib import Path
from xml.sax.saxutils import escape

import rispy
from werkzeug import Response

from citations.formatting import format_reference
from citations.models import Reference
from citations.readers import read_references

DATA = Path(__file__).parent / "data"

# Wakefield AJ et al. Lancet 1998;351(9103):637-641, retracted by The Lancet in February 2010.
WAKEFIELD = {
    "DOI": "10.1016/S0140-6736(97)11096-0",
    "PMID": "9500320",
    "title": "Ileal-lymphoid-nodular hyperplasia, non-specific colitis, and pervasive "
    "developmental disorder in children",
    "authors": [("Wakefield", "AJ"), ("Murch", "SH"), ("Anthony", "A")],
    "journal": "The Lancet",
    "abbreviation": "Lancet",
    "year": 1998,
    "volume": "351",
    "issue": "9103",
    "page": "637-641",
    "retraction_doi": "10.1016/S0140-6736(10)60175-4",
}
# Mehra MR et al. Lancet 2020 (PMID 32450107): PubMed lists a Department of Error (erratum),
# an expression of concern and the retraction, each with its DOI and PMID.
MEHRA = {
    "PMID": "32450107",
    "DOI": "10.1016/S0140-6736(20)31180-6",
    "PMCID": "PMC7255293",
    "title": "Hydroxychloroquine or chloroquine with or without a macrolide for treatment of "
    "COVID-19: a multinational registry analysis",
    "authors": [
        ("Mehra", "Mandeep R"),
        ("Desai", "Sapan S"),
        ("Ruschitzka", "Frank"),
        ("Patel", "Amit N"),
    ],
    "journal": "Lancet",
    "abbreviation": "Lancet",
    "year": 2020,
    "comments": [
        ("ErratumIn", "Lancet. 2020 May 30. doi: 10.1016/S0140-6736(20)31249-6", "32485145"),
        (
            "ExpressionOfConcernIn",
            "Lancet. 2020 Jun 13;395(10240):e102. doi: 10.1016/S0140-6736(20)31290-3",
            "32504543",
        ),
        (
            "RetractionIn",
            "Lancet. 2020 Jun 13;395(10240):1820. doi: 10.1016/S0140-6736(20)31324-6",
            "32511943",
        ),
    ],
    "retracted": True,
}


def sglt2_ris() -> list[dict]:
    return rispy.load(DATA / "sglt2-heart-failure.references.ris")


def cart_csl() -> list[dict]:
    return json.loads((DATA / "car-t-multiple-sclerosis.references.json").read_text())


def crossref_from_ris(entry: dict) -> dict:
    """A Crossref work message holding exactly the RIS record's values."""
    authors = []
    for index, name in enumerate(entry["authors"]):
        family, given = (part.strip() for part in name.split(",", 1))
        authors.append(
            {"given": given, "family": family, "sequence": "first" if index == 0 else "additional"}
        )
    return {
        "DOI": entry["doi"],
        "type": "journal-article",
        "title": [entry["title"]],
        "container-title": [entry["secondary_title"]],
        "short-container-title": [entry["alternate_title1"]],
        "author": authors,
        "issued": {"date-parts": [[int(entry["year"])]]},
        "volume": entry["volume"],
        "issue": entry["number"],
        "page": f"{entry['start_page']}-{entry['end_page']}",
        "URL": f"https://doi.org/{entry['doi']}",
        "publisher": "Crossref test double",
    }


def crossref_from_csl(item: dict) -> dict:
    message = {
        "DOI": item["DOI"],
        "type": "journal-article",
        "title": [item["title"]],
        "container-title": [item["container-title"]],
        "short-container-title": [item["container-title-short"]],
        "author": [
            {"given": a["given"], "family": a["family"], "sequence": "additional"}
            for a in item["author"]
        ],
        "issued": {"date-parts": item["issued"]["date-parts"]},
        "volume": item["volume"],
        "issue": item["issue"],
        "page": item["page"],
    }
    return message


def crossref_wakefield() -> dict:
    w = WAKEFIELD
    return {
        "DOI": w["DOI"],
        "type": "journal-article",
        "title": [w["title"]],
        "container-title": [w["journal"]],
        "short-container-title": [w["abbreviation"]],
        "issued": {"date-parts": [[w["year"]]]},
        "volume": w["volume"],
        "issue": w["issue"],
        "page": w["page"],
        "updated-by": [
            {
                "DOI": w["retraction_doi"],
                "type": "retraction",
                "source": "retraction-watch",
                "label": "Retraction",
                "updated": {"date-parts": [[2010, 2]]},
            }
        ],
    }


def pubmed_xml(record: dict) -> str:
    """An efetch PubmedArticleSet with one article, as E-utilities sends it."""
    authors = "".join(
        f'<Author ValidYN="Y"><LastName>{escape(last)}</LastName>'
        + (
            f"<Initials>{escape(first)}</Initials>"
            if first.isupper() and " " not in first
            else f"<ForeName>{escape(first)}</ForeName>"
        )
        + "</Author>"
        for last, first in record.get("authors", [])
    )
    date = f"<Year>{record['year']}</Year>"
    if record.get("month"):
        date += f"<Month>{record['month']}</Month>"
        if record.get("day"):
            date += f"<Day>{record['day']}</Day>"
    volume = f"<Volume>{record['volume']}</Volume>" if record.get("volume") else ""
    issue = f"<Issue>{record['issue']}</Issue>" if record.get("issue") else ""
    pages = ""
    if record.get("page"):
        start, _, end = record["page"].partition("-")
        pages = (
            f"<Pagination><StartPage>{start}</StartPage>"
            + (f"<EndPage>{end}</EndPage>" if end else "")
            + f"<MedlinePgn>{record['page']}</MedlinePgn></Pagination>"
        )
    types = ["Journal Article"] + record.get("types", [])
    if record.get("retracted"):
        types.append("Retracted Publication")
    type_list = "".join(
        f'<PublicationType UI="D000000">{escape(t)}</PublicationType>' for t in types
    )
    comments = "".join(
        f'<CommentsCorrections RefType="{kind}"><RefSource>{escape(source)}</RefSource>'
        f'<PMID Version="1">{pmid}</PMID></CommentsCorrections>'
        for kind, source, pmid in record.get("comments", [])
    )
    if comments:
        comments = f"<CommentsCorrectionsList>{comments}</CommentsCorrectionsList>"
    ids = f'<ArticleId IdType="pubmed">{record["PMID"]}</ArticleId>'
    if record.get("DOI"):
        ids += f'<ArticleId IdType="doi">{escape(record["DOI"])}</ArticleId>'
    if record.get("PMCID"):
        ids += f'<ArticleId IdType="pmc">{record["PMCID"]}</ArticleId>'
    return (
        '<?xml version="1.0" ?>\n'
        '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
        '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
        "<PubmedArticleSet><PubmedArticle>"
        '<MedlineCitation Status="MEDLINE" Owner="NLM">'
        f'<PMID Version="1">{record["PMID"]}</PMID>'
        '<Article PubModel="Print-Electronic"><Journal>'
        f'<JournalIssue CitedMedium="Internet">{volume}{issue}<PubDate>{date}</PubDate></JournalIssue>'
        f"<Title>{escape(record['journal'])}</Title>"
        f"<ISOAbbreviation>{escape(record['abbreviation'])}</ISOAbbreviation></Journal>"
        f"<ArticleTitle>{escape(record['title'])}.</ArticleTitle>{pages}"
        f'<AuthorList CompleteYN="Y">{authors}</AuthorList>'
        f"<PublicationTypeList>{type_list}</PublicationTypeList></Article>"
        f"<MedlineJournalInfo><MedlineTA>{escape(record['abbreviation'])}</MedlineTA></MedlineJournalInfo>"
        f"{comments}</MedlineCitation>"
        f"<PubmedData><ArticleIdList>{ids}</ArticleIdList></PubmedData>"
        "</PubmedArticle></PubmedArticleSet>"
    )


def pubmed_from_csl(item: dict) -> dict:
    """A PubMed record for a CSL-JSON item with a PMID, holding exactly its values."""
    year, month, day = (item["issued"]["date-parts"][0] + [None, None])[:3]
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    return {
        "PMID": item["PMID"],
        "DOI": item.get("DOI"),
        "title": item["title"],
        "authors": [(a["family"], a["given"]) for a in item["author"]],
        "journal": item["container-title"],
        "abbreviation": item["container-title-short"],
        "year": year,
        "month": months[month - 1] if month else None,
        "day": day,
        "volume": item["volume"],
        "issue": item["issue"],
        "page": item["page"],
        "types": [item["genre"]] if item.get("genre") else [],
    }


class FakeServices:
    """Crossref, E-utilities and the PMC ID converter on one local server."""

    def __init__(self, httpserver):
        self.server = httpserver
        self.works = {}  # lower-case DOI -> Crossref message
        self.pubmed = {}  # PMID -> record dict for pubmed_xml
        self.doi_pmids = {}  # lower-case DOI -> [PMID]
        self.pmc = {}  # PMCID -> idconv record
        self.crossref_down = False  # answer every work lookup 503, as during an outage
        self.requests = []
        httpserver.expect_request(re.compile(r"^/works/.+")).respond_with_handler(self._work)
        httpserver.expect_request("/eutils/efetch.fcgi").respond_with_handler(self._efetch)
        httpserver.expect_request("/eutils/esearch.fcgi").respond_with_handler(self._esearch)
        httpserver.expect_request("/idconv/").respond_with_handler(self._idconv)

    def configure(self, settings):
        settings.CROSSREF_API_URL = self.server.url_for("").rstrip("/")
        settings.NCBI_EUTILS_URL = self.server.url_for("/eutils")
        settings.PMC_IDCONV_URL = self.server.url_for("/idconv/")

    def add_work(self, message, *, pmid=None):
        self.works[message["DOI"].lower()] = message
        self.doi_pmids[message["DOI"].lower()] = [pmid] if pmid else []

    def add_sglt2(self):
        """Crossref holds the four SGLT2 references as the RIS file gives them; PubMed
        knows the PMIDs the RIS file gives (AN)."""
        for entry in sglt2_ris():
            self.add_work(crossref_from_ris(entry), pmid=entry.get("accession_number"))
        return self

    def _work(self, request):
        self.requests.append(request.path)
        if self.crossref_down:
            return Response("Service Unavailable", status=503, content_type="text/plain")
        doi = request.path.removeprefix("/works/").lower()
        if doi not in self.works:
            return Response("Resource not found.", status=404, content_type="text/plain")
        body = {
            "status": "ok",
            "message-type": "work",
            "message-version": "1.0.0",
            "message": self.works[doi],
        }
        return Response(json.dumps(body), content_type="application/json")

    def _efetch(self, request):
        self.requests.append(request.full_path)
        pmid = request.args.get("id", "")
        if pmid not in self.pubmed:
            # E-utilities answers an unknown id with an empty set.
            return Response(
                '<?xml version="1.0" ?>\n<PubmedArticleSet></PubmedArticleSet>',
                content_type="text/xml",
            )
        return Response(pubmed_xml(self.pubmed[pmid]), content_type="text/xml")

    def _esearch(self, request):
        self.requests.append(request.full_path)
        term = request.args.get("term", "")
        ids = self.doi_pmids.get(term.removesuffix("[doi]").lower(), [])
        body = {
            "header": {"type": "esearch", "version": "0.3"},
            "esearchresult": {
                "count": str(len(ids)),
                "retmax": str(len(ids)),
                "retstart": "0",
                "idlist": ids,
                "translationset": [],
                "querytranslation": term,
            },
        }
        return Response(json.dumps(body), content_type="application/json")

    def _idconv(self, request):
        self.requests.append(request.full_path)
        pmcid = request.args.get("ids", "")
        record = self.pmc.get(pmcid) or {
            "pmcid": pmcid,
            "status": "error",
            "errmsg": "invalid article id",
        }
        body = {
            "status": "ok",
            "responseDate": "2026-11-27 12:00:00",
            "request": f"ids={pmcid};format=json",
            "records": [record],
        }
        return Response(json.dumps(body), content_type="application/json")


# The pasted forms a writer uses for the four SGLT2 references (real DOIs).
SGLT2_DOIS = [
    "10.1056/NEJMoa1911303",
    "https://doi.org/10.1056/NEJMoa2022190",
    "doi:10.1056/NEJMoa2107038",
    "10.1016/S0140-6736(22)01429-5",
]


def ris_formatted():
    """Each SGLT2 reference formatted as imported from the RIS file, by lower-case DOI."""
    records = read_references((DATA / "sglt2-heart-failure.references.ris").read_bytes()).records
    return {
        r.csl["DOI"].lower(): format_reference(Reference.from_csl(r.csl).to_csl()) for r in records
    }
