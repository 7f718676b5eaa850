'use strict';
const assert = require('assert');

describe('Array', function () {
  describe('#indexOf()', function () {
    it('should return -1 when the value is not present', function () {
      assert.equal([1, 2, 3].indexOf(1), -1);
    });
    it('finds a value', function () {
      assert.equal([1, 2, 3].indexOf(2), 1);
    });
  });
  describe('#includes()', function () {
    it('issue #42: handles NaN: with a colon', function () {
      assert.deepStrictEqual({ a: [1, 2] }, { a: [1, 3] });
    });
  });
});

describe('Database', function () {
  beforeEach(function () {
    throw new Error('connection refused');
  });
  it('does x', function () {});
  it('does y', function () {});
});

describe('Cache', function () {
  before(function () {
    throw new TypeError('cache.open is not a function');
  });
  it('stores a value', function () {});
});

describe('Config files:', function () {
  it('loads:', function () {
    assert.ok(false, 'no config');
  });
});

describe('Parser', function () {
  for (const input of ['[', '{', '"', 'nul', 'tru']) {
    it('rejects ' + input, function () {
      JSON.parse(input);
    });
  }
});

it('runs at the top level', function () {
  throw new RangeError('out of range\nsecond line of the message');
});
