package jamftest_test

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
)

// commandSchema collects a command type's commandData properties and
// required names from the spec's MdmCommandRequest mapping.
func commandSchema(t *testing.T, doc *openapi3.T, kind string) (map[string]*openapi3.SchemaRef, []string) {
	t.Helper()
	req := doc.Components.Schemas["MdmCommandRequest"].Value.Properties["commandData"].Value
	ref, ok := req.Discriminator.Mapping[kind]
	if !ok {
		t.Fatalf("%s is not in the spec's command mapping", kind)
	}
	name := ref.Ref
	s := doc.Components.Schemas[name[len("#/components/schemas/"):]].Value
	props := map[string]*openapi3.SchemaRef{}
	var required []string
	for _, part := range s.AllOf {
		for k, v := range part.Value.Properties {
			props[k] = v
		}
		required = append(required, part.Value.Required...)
	}
	delete(props, "commandType")
	return props, required
}

// TestCommandBodiesFollowTheSpec sends, for every command jamfops sends,
// a body with every property the spec lists (its example value): the
// server accepts it and records the parameters. A body missing a required
// property, or ENABLE_LOST_MODE with neither message nor phone, or an
// unknown property, is answered 400 naming the field, as Jamf Pro does.
func TestCommandBodiesFollowTheSpec(t *testing.T) {
	doc := loadProSpec(t)
	srv, err := jamftest.NewServer(jamftest.Options{Computers: 5, MobileDevices: 5})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, _ := jamf.NewClient(srv.URL, jamf.WithClientCredentials(jamftest.DemoClientID, jamftest.DemoClientSecret), jamf.WithRetries(0, 0))
	ctx := context.Background()
	mobiles, _, err := c.MobileDevices.List(ctx, nil)
	if err != nil || len(mobiles) == 0 {
		t.Fatal(err)
	}
	ids := []string{mobiles[0].ManagementID}
	send := func(kind string, fields map[string]any) int {
		_, _, err := c.MDM.SendCommand(ctx, jamf.PlatformMobile, jamf.CommandData{CommandType: kind, Fields: fields}, ids)
		var er *jamf.ErrorResponse
		switch {
		case err == nil:
			return http.StatusCreated
		case errors.As(err, &er):
			return er.StatusCode()
		}
		t.Fatalf("%s: %v", kind, err)
		return 0
	}
	kinds := []string{"RESTART_DEVICE", "SHUT_DOWN_DEVICE", "DEVICE_LOCK", "ERASE_DEVICE", "ENABLE_LOST_MODE", "DISABLE_LOST_MODE",
		"LOG_OUT_USER", "DECLARATIVE_MANAGEMENT", "DEVICE_INFORMATION", "SECURITY_INFO", "PROFILE_LIST",
		"INSTALLED_APPLICATION_LIST", "CERTIFICATE_LIST", "CLEAR_PASSCODE"}
	for _, kind := range kinds {
		props, required := commandSchema(t, doc, kind)
		full := map[string]any{}
		for name, p := range props {
			switch {
			case p.Value.Example != nil:
				full[name] = p.Value.Example
			case p.Value.Type.Is("boolean"):
				full[name] = true
			case p.Value.Type.Is("array"):
				full[name] = []any{}
			case p.Value.Type.Is("object") || len(p.Value.Properties) > 0:
				full[name] = map[string]any{"enabled": false}
			default:
				full[name] = "x"
			}
		}
		if kind == "ERASE_DEVICE" {
			rts := props["returnToService"].Value
			nested := map[string]any{}
			for name, p := range rts.Properties {
				if p.Value.Example == nil {
					t.Fatalf("returnToService.%s has no example in the spec", name)
				}
				nested[name] = p.Value.Example
			}
			full["returnToService"] = nested
			// Each of the object's required properties is required.
			for _, name := range rts.Required {
				without := map[string]any{}
				for k, v := range nested {
					if k != name {
						without[k] = v
					}
				}
				if got := send(kind, map[string]any{"returnToService": without}); got != http.StatusBadRequest {
					t.Errorf("erase with returnToService without required %s: %d, want 400", name, got)
				}
			}
			if len(rts.Required) == 0 {
				t.Errorf("the spec's ReturnToService requires nothing")
			}
			for _, bad := range []map[string]any{{"enabled": true, "wifiProfileData": "not base64!"}, {"enabled": true, "notInTheSpec": "x"}, {"enabled": "yes"}} {
				if got := send(kind, map[string]any{"returnToService": bad}); got != http.StatusBadRequest {
					t.Errorf("erase with returnToService %v: %d, want 400", bad, got)
				}
			}
		}
		before := len(srv.Log().Commands())
		if got := send(kind, full); got != http.StatusCreated {
			t.Errorf("%s with every spec property: %d, want 201 (%v)", kind, got, full)
			continue
		}
		recs := srv.Log().Commands()
		if len(recs) != before+1 || (len(full) > 0 && len(recs[before].Fields) != len(full)) {
			t.Errorf("%s: the admin log recorded %v, want %v", kind, recs[len(recs)-1].Fields, full)
		}
		for _, name := range required {
			if name == "commandType" {
				continue // the client always sends it
			}
			without := map[string]any{}
			for k, v := range full {
				if k != name {
					without[k] = v
				}
			}
			if got := send(kind, without); got != http.StatusBadRequest {
				t.Errorf("%s without required %s: %d, want 400", kind, name, got)
			}
		}
		if got := send(kind, map[string]any{"notInTheSpec": true}); got != http.StatusBadRequest {
			t.Errorf("%s with an unknown property: %d, want 400", kind, got)
		}
	}
	if got := send("ENABLE_LOST_MODE", map[string]any{"lostModeFootnote": "front desk"}); got != http.StatusBadRequest {
		t.Errorf("lost mode with neither message nor phone: %d, want 400", got)
	}
	if got := send("ERASE_DEVICE", map[string]any{"obliterationBehavior": "Sometimes"}); got != http.StatusBadRequest {
		t.Errorf("erase with an obliteration outside the enum: %d, want 400", got)
	}
	if got := send("ENABLE_LOST_MODE", map[string]any{"lostModeMessage": "Call IT", "lostModePhone": "555"}); got != http.StatusCreated {
		t.Fatalf("lost mode with a message and phone: %d", got)
	}
	last := srv.Log().Commands()[len(srv.Log().Commands())-1]
	if !reflect.DeepEqual(last.Fields, map[string]any{"lostModeMessage": "Call IT", "lostModePhone": "555"}) {
		t.Fatalf("the admin log recorded %v", last.Fields)
	}
}
