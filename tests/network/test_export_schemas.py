"""Issue 15: the GEXF export validates against the GEXF 1.3 RelaxNG grammar and the
GraphML export against the GraphML XSD, both shipped in commonweave/network/schemas/
(see its README for sources). Nothing is fetched: every include and import resolves to
a local file, and any other URL is refused. Each schema is also shown to reject a
deliberately broken file, so these tests can fail."""

from pathlib import Path

import pytest
from lxml import etree

from commonweave.network.models import Tie
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).resolve().parents[2] / "commonweave" / "network" / "schemas"
GEXF_RNG = SCHEMAS / "gexf-1.3" / "gexf.rng"
GRAPHML_XSD = SCHEMAS / "graphml" / "graphml.xsd"
# Remote locations the schemas name, mapped to the local copies
LOCAL = {
    "http://www.w3.org/2001/xml.xsd": SCHEMAS / "graphml" / "xml.xsd",
    "http://www.w3.org/1999/xlink.xsd": SCHEMAS / "graphml" / "xlink.xsd",
}


class _LocalOnly(etree.Resolver):
    def resolve(self, url, public_id, context):
        if url in LOCAL:
            return self.resolve_filename(str(LOCAL[url]), context)
        path = Path(url.removeprefix("file://"))
        if path.is_file() and SCHEMAS in path.resolve().parents:
            return None  # a shipped file: the default loader reads it
        raise OSError(f"schema fetch refused: {url}")


def _parser():
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_LocalOnly())
    return parser


@pytest.fixture(scope="module")
def gexf_schema():
    return etree.RelaxNG(etree.parse(str(GEXF_RNG), _parser()))


@pytest.fixture(scope="module")
def graphml_schema():
    return etree.XMLSchema(etree.parse(str(GRAPHML_XSD), _parser()))


def _export(world, network, fmt):
    # one one-way tie besides the undirected ones, as a referral would be
    Tie.objects.filter(source_node=network["b"], target_node=network["faith"]).update(
        directed=True, strength=2.0
    )
    response = client_for(world.analyst).get(f"/api/network/export.{fmt}")
    assert response.status_code == 200
    return etree.fromstring(response.content, etree.XMLParser(no_network=True))


def _errors(schema, doc):
    ok = schema.validate(doc)
    return ok, [str(e) for e in schema.error_log]


def test_the_gexf_export_validates_against_the_gexf_1_3_grammar(world, network, gexf_schema):
    doc = _export(world, network, "gexf")
    ok, errors = _errors(gexf_schema, doc)
    assert ok, errors
    ns = {"g": "http://gexf.net/1.3"}
    assert doc.xpath("count(//g:edge)", namespaces=ns) == Tie.objects.count() > 0
    assert doc.xpath("//g:attvalue[@for='directed' and @value='true']", namespaces=ns)


def test_the_graphml_export_validates_against_the_graphml_schema(world, network, graphml_schema):
    doc = _export(world, network, "graphml")
    ok, errors = _errors(graphml_schema, doc)
    assert ok, errors
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    assert doc.xpath("count(//g:edge)", namespaces=ns) == Tie.objects.count() > 0


@pytest.mark.parametrize(
    "break_it",
    [
        # an attribute declared with a type GEXF does not have
        lambda d, ns: d.find(".//g:attributes[@class='edge']/g:attribute", ns).set(
            "type", "decimal"
        ),
        # an edge without its required source
        lambda d, ns: d.find(".//g:edge", ns).attrib.pop("source"),
        # the tie's kind in GEXF's edge-direction field (the old bug)
        lambda d, ns: d.find(".//g:edge", ns).set("type", "partnership"),
    ],
    ids=["undeclared-attribute-type", "edge-without-source", "tie-type-as-edge-type"],
)
def test_a_broken_gexf_fails_the_grammar(world, network, gexf_schema, break_it):
    doc = _export(world, network, "gexf")
    break_it(doc, {"g": "http://gexf.net/1.3"})
    ok, errors = _errors(gexf_schema, doc)
    assert not ok and errors


@pytest.mark.parametrize(
    "break_it",
    [
        # a key with an attr.type GraphML does not have
        lambda d, ns: d.find(".//g:key", ns).set("attr.type", "decimal"),
        # an edge without its required target
        lambda d, ns: d.find(".//g:edge", ns).attrib.pop("target"),
        # a value for a key that is not declared (keyref)
        lambda d, ns: d.find(".//g:edge/g:data", ns).set("key", "undeclared"),
        # an edge to a node that is not in the graph (keyref)
        lambda d, ns: d.find(".//g:edge", ns).set("target", "no-such-node"),
    ],
    ids=["undeclared-attr-type", "edge-without-target", "undeclared-key", "dangling-edge"],
)
def test_a_broken_graphml_fails_the_schema(world, network, graphml_schema, break_it):
    doc = _export(world, network, "graphml")
    break_it(doc, {"g": "http://graphml.graphdrawing.org/xmlns"})
    ok, errors = _errors(graphml_schema, doc)
    assert not ok and errors
