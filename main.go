// Command glab-pipeline-doctor explains why a GitLab pipeline failed.
package main

import (
	"os"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/commands"
)

func main() {
	os.Exit(commands.Main())
}
