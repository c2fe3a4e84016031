//go:build truelimit_auto

package main

import _ "github.com/truelimit/truelimit/limits/auto"
