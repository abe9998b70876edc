"""The IIA v7 hash of our own data: the hash of exactly the XML we serve for it."""

from mobilitas.agreements.ewp.iia_xml import hash_iia_data
from mobilitas.agreements.iia_data import IiaData


def data_hash(data: IiaData) -> str:
    return hash_iia_data(data).hash
