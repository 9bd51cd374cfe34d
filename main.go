// Command itcare is the command-line tool for the cegedim.cloud ITCare API.
package main

import (
	"os"

	"github.com/itcare-cli/itcare/cmd"
)

func main() { os.Exit(cmd.Main()) }
