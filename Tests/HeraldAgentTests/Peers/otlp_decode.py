"""Decodes an OTLP/HTTP trace export with the official opentelemetry-proto package (a real peer of
Herald's hand-written protobuf encoder) and prints it as JSON (protobuf's canonical mapping).
Usage: python3 otlp_decode.py FILE
"""
import sys

from google.protobuf.json_format import MessageToJson
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest


def main(path):
    request = ExportTraceServiceRequest()
    with open(path, "rb") as body:
        data = body.read()
    request.ParseFromString(data)
    # A message that parsed but re-encodes differently had fields protobuf did not understand.
    if request.SerializeToString() != data:
        raise SystemExit("re-encoding differs: the bytes are not canonical OTLP")
    print(MessageToJson(request, preserving_proto_field_name=True))


if __name__ == "__main__":
    main(sys.argv[1])
