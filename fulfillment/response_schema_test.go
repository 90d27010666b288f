package fulfillment

import (
	"testing"

	"cloud.google.com/go/dialogflow/cx/apiv3/cxpb"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// The schema ResponseFromJSON checks documents against is the generated
// WebhookResponse, field for field: names, kinds, cardinality, oneofs and
// enum values. A new release of cloud.google.com/go/dialogflow that adds a
// field fails here until the schema has it.
func TestResponseSchemaMatchesProto(t *testing.T) {
	t.Parallel()
	compareSchema(t, responseSchema, (&cxpb.WebhookResponse{}).ProtoReflect().Descriptor())
}

func compareSchema(t *testing.T, s *wireSchema, md protoreflect.MessageDescriptor) {
	t.Helper()
	if s.name != string(md.FullName()) {
		t.Errorf("schema %s stands for %s", s.name, md.FullName())
	}
	fields := md.Fields()
	if len(s.fields) != fields.Len() {
		t.Errorf("%s: schema has %d fields, the proto %d", md.FullName(), len(s.fields), fields.Len())
	}
	for i := range fields.Len() {
		fd := fields.Get(i)
		j := s.field(fd.JSONName())
		if j < 0 {
			t.Errorf("%s: schema lacks %s", md.FullName(), fd.JSONName())
			continue
		}
		f := s.fields[j]
		where := string(md.FullName()) + "." + fd.TextName()
		if f.json != fd.JSONName() || f.proto != fd.TextName() {
			t.Errorf("%s: names %s/%s, want %s/%s", where, f.json, f.proto, fd.JSONName(), fd.TextName())
		}
		oneof := ""
		if od := fd.ContainingOneof(); od != nil && !od.IsSynthetic() {
			oneof = string(od.Name())
		}
		if f.oneof != oneof {
			t.Errorf("%s: oneof %q, want %q", where, f.oneof, oneof)
		}
		if f.repeated != fd.IsList() {
			t.Errorf("%s: repeated %v, want %v", where, f.repeated, fd.IsList())
		}
		var want fieldKind
		switch {
		case fd.IsMap():
			if fd.MapKey().Kind() != protoreflect.StringKind || fd.MapValue().Message() == nil || fd.MapValue().Message().FullName() != "google.protobuf.Value" {
				t.Errorf("%s: a map the schema cannot express", where)
			}
			want = kindValueMap
		case fd.Kind() == protoreflect.StringKind:
			want = kindString
		case fd.Kind() == protoreflect.BoolKind:
			want = kindBool
		case fd.Kind() == protoreflect.BytesKind:
			want = kindBytes
		case fd.Kind() == protoreflect.EnumKind:
			want = kindEnum
			if f.enum == nil || f.enum.name != string(fd.Enum().FullName()) {
				t.Errorf("%s: enum %v, want %s", where, f.enum, fd.Enum().FullName())
				break
			}
			values := fd.Enum().Values()
			if len(f.enum.values) != values.Len() {
				t.Errorf("%s: %d enum values, want %d", where, len(f.enum.values), values.Len())
			}
			for k := range values.Len() {
				v := values.Get(k)
				if int(v.Number()) >= len(f.enum.values) || f.enum.values[v.Number()] != string(v.Name()) {
					t.Errorf("%s: enum value %s = %d missing", where, v.Name(), v.Number())
				}
			}
		case fd.Message() != nil && fd.Message().FullName() == "google.protobuf.Struct":
			want = kindStruct
		case fd.Message() != nil && fd.Message().FullName() == "google.protobuf.Value":
			want = kindValue
		case fd.Message() != nil:
			want = kindMessage
			if f.msg == nil {
				t.Errorf("%s: no schema for %s", where, fd.Message().FullName())
			} else {
				compareSchema(t, f.msg, fd.Message())
			}
		default:
			t.Errorf("%s: kind %v the schema cannot express", where, fd.Kind())
		}
		if f.kind != want {
			t.Errorf("%s: kind %d, want %d", where, f.kind, want)
		}
	}
}
