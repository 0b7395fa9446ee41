package store

// Shard is shard, for tests that place customers on one shard.
var Shard = shard
