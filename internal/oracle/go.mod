module github.com/truelimit/truelimit/internal/oracle

go 1.25.0

replace github.com/truelimit/truelimit => ../..

require (
	github.com/KimMachineGun/automemlimit v1.0.1
	github.com/containerd/cgroups/v3 v3.1.3
	github.com/coreos/go-systemd/v22 v22.6.0
	github.com/moby/sys/mountinfo v0.7.3
	github.com/opencontainers/cgroups v0.1.0
	github.com/stretchr/testify v1.12.1
	github.com/truelimit/truelimit v0.0.0-00010101000000-000000000000
	go.uber.org/automaxprocs v1.6.0
)

require (
	github.com/cyphar/filepath-securejoin v0.4.1 // indirect
	github.com/docker/go-units v0.5.0 // indirect
	github.com/godbus/dbus/v5 v5.1.0 // indirect
	github.com/moby/sys/userns v0.1.0 // indirect
	github.com/opencontainers/runtime-spec v1.3.0 // indirect
	github.com/pbnjay/memory v0.0.0-20210728143218-7b4eea64cf58 // indirect
	github.com/sirupsen/logrus v1.9.3 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/sys v0.47.0 // indirect
	google.golang.org/protobuf v1.35.2 // indirect
)
