package kernels

// Available returns the names of the implementations that this machine and
// build can run, fastest first.
func Available() []string {
	var names []string
	for _, impl := range implementations {
		if impl.available {
			names = append(names, impl.name)
		}
	}
	return names
}

// Use makes the exported functions call the implementation called name and
// returns a function that restores the previous one. It panics if the
// implementation is not available. Tests that call Use must not run in
// parallel with other tests of the package.
func Use(name string) (restore func()) {
	previous := active
	for _, impl := range implementations {
		if impl.name == name && impl.available {
			active = impl
			return func() { active = previous }
		}
	}
	panic("kernels: implementation " + name + " is not available")
}

// ChooseImplementation exposes the start-up choice for a given cap value.
func ChooseImplementation(limit string) string {
	return chooseImplementation(limit).name
}
