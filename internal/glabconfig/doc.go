// Package glabconfig resolves the GitLab host, API URL, credentials, TLS
// settings, project and pipeline selection exactly as glab does.
//
// It is the only package of the project that reads glab's configuration
// files, the OS keyring, the environment and git. It never writes any of
// them: glab owns its files and keyring entries, and OAuth refresh tokens are
// single-use, so an expired OAuth token is refreshed by glab, never here.
//
// Every access to the operating system goes through Env, so tests run on a
// temporary directory, a map of variables, a fake keyring and a real git
// repository in a temporary directory.
//
// Errors that mean "no usable credentials" are *AuthError; errors in what the
// user typed (a -R value, a pipeline argument, conflicting flags) are
// *InputError; a checkout whose remotes name no known GitLab host is a
// *RepoError. No error and no String() output ever contains a token.
package glabconfig
