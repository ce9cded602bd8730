"""The project's vocabulary as closed namespaces (a typo raises at import time).

>>> str(KG.Investment)
'https://w3id.org/sino-foreign-kg/ontology#Investment'
"""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DefinedNamespace
from rdflib.term import URIRef

ONTOLOGY_IRI = "https://w3id.org/sino-foreign-kg/ontology"
BASE = "https://w3id.org/sino-foreign-kg/id/"


class KG(DefinedNamespace):
    """Terms of ``ontology/kg.ttl``."""

    _NS = Namespace(ONTOLOGY_IRI + "#")
    _fail = True

    # classes
    Park: URIRef
    Company: URIRef
    Institution: URIRef
    Country: URIRef
    Agreement: URIRef
    JointPlatform: URIRef
    Investment: URIRef
    OutboundInvestment: URIRef
    Cooperation: URIRef
    Statistic: URIRef
    Article: URIRef
    Sector: URIRef
    ParkKind: URIRef
    InstitutionKind: URIRef
    CooperationKind: URIRef
    AmountQualifier: URIRef
    InvestmentStatus: URIRef
    RecognitionMethod: URIRef
    SectorScheme: URIRef
    ParkKinds: URIRef
    # properties
    investor: URIRef
    host: URIRef
    amount: URIRef
    qualifier: URIRef
    amountUSD: URIRef
    rateSource: URIRef
    sector: URIRef
    activity: URIRef
    date: URIRef
    status: URIRef
    party: URIRef
    cooperationKind: URIRef
    agreement: URIRef
    parkKind: URIRef
    institutionKind: URIRef
    country: URIRef
    isoCode: URIRef
    city: URIRef
    province: URIRef
    recognisedBy: URIRef
    quote: URIRef
    startOffset: URIRef
    endOffset: URIRef
    fileName: URIRef
    script: URIRef
    encoding: URIRef
    statisticName: URIRef
    subject: URIRef
    projects: URIRef
    via: URIRef
    sectorTerms: URIRef
    # summary cubes (W3C RDF Data Cube)
    HostCountryStructure: URIRef
    CountrySectorStructure: URIRef
    refHost: URIRef
    refCountry: URIRef
    refSector: URIRef
    investmentCount: URIRef
    investorCount: URIRef
    pricedInvestmentCount: URIRef
    totalAmountUSD: URIRef
    # individuals
    Gazetteer: URIRef
    Pattern: URIRef
    Curation: URIRef


# Attribute look-ups on a DefinedNamespace go through its metaclass every time (a tenth of the time
# spent turning an article into triples): resolve the terms once, as plain class attributes. A name
# not in the annotations still reaches the metaclass and raises.
for _name in KG.__annotations__:
    type.__setattr__(KG, _name, KG._NS[_name])


class Cached:
    """A namespace whose terms are made once and then read as plain attributes.

    >>> schema = Namespace("https://schema.org/")
    >>> schema.name is schema.name, Cached(schema).name == schema.name
    (False, True)
    >>> t = Cached(schema); t.name is t.name
    True
    """

    def __init__(self, ns: object) -> None:
        self._ns = ns

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("__"):
            raise AttributeError(name)
        term = getattr(self._ns, name)
        setattr(self, name, term)
        return term


ID = Namespace(BASE)
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
WD = Namespace("http://www.wikidata.org/entity/")
QB = Namespace("http://purl.org/linked-data/cube#")

PARK_KIND_TERMS = ("etdz", "hitech", "bonded", "ftz", "cooperation", "subpark", "abroad", "provincial", "resort",
                   "newarea", "other")
INSTITUTION_KIND_TERMS = ("government", "university", "research", "cultural", "association", "international")
COOPERATION_KIND_TERMS = ("agreement", "platform", "partner", "party", "visit", "partnership", "intergovernmental",
                          "bilateral", "benchmark", "joint_venture")
QUALIFIER_TERMS = ("exact", "over", "about", "under", "total", "cumulative", "agreed")
STATUS_TERMS = ("planned", "signed", "under_construction", "operating")


def kind_term(name: str) -> URIRef:
    """IRI of a SKOS kind individual (park/institution kind, qualifier, status)."""
    return URIRef(ONTOLOGY_IRI + "#" + name)


def cooperation_kind(name: str) -> URIRef:
    return URIRef(ONTOLOGY_IRI + "#" + name + "Cooperation")


PREFIXES = {
    "kg": KG._NS,
    "kgi": ID,
    "org": ORG,
    "schema": SCHEMA,
    "wd": WD,
    "qb": QB,
}
