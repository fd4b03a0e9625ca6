package cli

import (
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/jamfops/jamfops/ops/mass"
)

// paramFlags are the command parameters of mass run, one flag per
// catalogue flag name (--message serves DEVICE_LOCK and ENABLE_LOST_MODE).
type paramFlags struct {
	text  map[string]*string
	bools map[string]*bool
	cmd   *cobra.Command
}

func (p *paramFlags) register(c *cobra.Command) {
	p.cmd, p.text, p.bools = c, map[string]*string{}, map[string]*bool{}
	help := map[string][]string{}
	kinds := map[string]mass.ParamKind{}
	for _, spec := range mass.Catalogue() {
		for _, prm := range spec.Params {
			help[prm.Flag] = append(help[prm.Flag], spec.Type+": "+prm.Help)
			kinds[prm.Flag] = prm.Kind
		}
	}
	names := make([]string, 0, len(help))
	for n := range help {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		usage := strings.Join(help[n], "; ")
		if kinds[n] == mass.ParamBool {
			p.bools[n] = c.Flags().Bool(n, false, usage)
		} else {
			p.text[n] = c.Flags().String(n, "", usage)
		}
	}
}

// fields turns the parameter flags given into the command's fields and
// validates them with the catalogue: a parameter the command does not
// take, or a missing or malformed value, is a usage error before any I/O.
func (p *paramFlags) fields(a mass.Action) (map[string]any, error) {
	var given []string
	for n := range p.text {
		if p.cmd.Flags().Changed(n) {
			given = append(given, n)
		}
	}
	for n := range p.bools {
		if p.cmd.Flags().Changed(n) {
			given = append(given, n)
		}
	}
	sort.Strings(given)
	if a.Kind != mass.KindCommand {
		if len(given) > 0 {
			return nil, usageErrorf("--%s is a command parameter; %s takes none", given[0], a)
		}
		return nil, nil
	}
	spec, ok := mass.LookupCommand(a.CommandType)
	if !ok {
		return nil, usageErrorf("%s is not in the command catalogue", a.CommandType)
	}
	fields := map[string]any{}
	for _, n := range given {
		var prm *mass.Param
		for i := range spec.Params {
			if spec.Params[i].Flag == n {
				prm = &spec.Params[i]
			}
		}
		if prm == nil {
			return nil, usageErrorf("--%s is not a parameter of %s%s", n, a.CommandType, paramList(spec))
		}
		if v, ok := p.bools[n]; ok {
			fields[prm.Field] = *v
		} else {
			fields[prm.Field] = *p.text[n]
		}
	}
	if err := spec.ValidateFields(fields); err != nil {
		return nil, usageErrorf("%v", err)
	}
	if len(fields) == 0 {
		return nil, nil
	}
	return fields, nil
}

func paramList(spec mass.CommandSpec) string {
	if len(spec.Params) == 0 {
		return " (it takes none)"
	}
	names := make([]string, len(spec.Params))
	for i, prm := range spec.Params {
		names[i] = "--" + prm.Flag
	}
	return " (it takes " + strings.Join(names, ", ") + ")"
}

// paramsText shows an action's parameters (mass.Action.ParamsText).
func paramsText(a mass.Action) string { return a.ParamsText() }
