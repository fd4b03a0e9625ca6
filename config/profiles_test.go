package config

import (
	"os"
	"path/filepath"
	"testing"
)

func TestProfileValidate(t *testing.T) {
	t.Parallel()
	ok := Profile{Name: "prod", URL: "https://acme.jamfcloud.com", Auth: AuthClient, ClientID: "id", Accent: "#d70000"}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := []Profile{
		{Name: "", URL: ok.URL, Auth: AuthClient, ClientID: "id"},
		{Name: "a b", URL: ok.URL, Auth: AuthClient, ClientID: "id"},
		{Name: "p", URL: "http://acme.example.com", Auth: AuthClient, ClientID: "id"},
		{Name: "p", URL: ok.URL, Auth: AuthClient},
		{Name: "p", URL: ok.URL, Auth: AuthUser},
		{Name: "p", URL: ok.URL, Auth: "token", ClientID: "id"},
		{Name: "p", URL: ok.URL, Auth: AuthClient, ClientID: "id", Accent: "red"},
	}
	for _, p := range bad {
		if p.Validate() == nil {
			t.Errorf("%+v passed validation", p)
		}
	}
}

func TestSaveLoadGetPut(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "sub", "profiles.json")
	f, err := Load(path)
	if err != nil || len(f.Profiles) != 0 {
		t.Fatalf("missing file: %+v, %v", f, err)
	}
	if _, err := f.Get(""); err == nil {
		t.Fatal("no active profile, no error")
	}
	f.Put(Profile{Name: "a", URL: "https://a.jamfcloud.com", Auth: AuthClient, ClientID: "x"})
	f.Put(Profile{Name: "b", URL: "https://b.jamfcloud.com", Auth: AuthUser, Username: "u"})
	f.Put(Profile{Name: "a", URL: "https://a2.jamfcloud.com", Auth: AuthClient, ClientID: "y"})
	if err := f.Save(path); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, %v", fi.Mode().Perm(), err)
	}
	g, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := g.Get("")
	if err != nil || p.Name != "a" || p.ClientID != "y" || len(g.Profiles) != 2 {
		t.Fatalf("active = %+v, %v (%d profiles)", p, err, len(g.Profiles))
	}
	if p, _ := g.Get("b"); p.Identity() != "u" {
		t.Fatalf("identity = %q", p.Identity())
	}
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil {
		t.Fatal("a damaged file loaded")
	}
}
