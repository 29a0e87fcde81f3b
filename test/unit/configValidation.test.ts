import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  validateDurationSeconds,
  validateMfaSerial,
  validateProfileName,
  validateRegion,
  validateRoleArn,
} from '../../electron/core/config/validation';

describe('validateProfileName', () => {
  it('accepts the AWS-style alphabet', () => {
    for (const name of ['default', 'work-admin', 'team.prod@corp', 'a+b=c,d', 'x_1']) assert.equal(validateProfileName(name), null, name);
  });

  it('explains what is wrong', () => {
    assert.equal(validateProfileName(''), 'Enter a profile name.');
    assert.match(validateProfileName('my profile') ?? '', /cannot contain spaces/);
    assert.match(validateProfileName('a\tb') ?? '', /cannot contain spaces/);
    assert.match(validateProfileName('a]b') ?? '', /cannot contain \[ or \]/);
    assert.match(validateProfileName('[x') ?? '', /cannot contain \[ or \]/);
    assert.match(validateProfileName('café') ?? '', /may only use letters, digits/);
    assert.match(validateProfileName('a/b') ?? '', /may only use/);
    assert.match(validateProfileName('-rf') ?? '', /cannot start with "-"/);
  });
});

describe('validateRoleArn', () => {
  it('accepts roles in every supported partition, with or without a path', () => {
    for (const arn of [
      'arn:aws:iam::123456789012:role/Admin',
      'arn:aws-cn:iam::123456789012:role/service-role/my.role@x',
      'arn:aws-us-gov:iam::123456789012:role/a/b/c/Deploy+1',
    ]) {
      assert.equal(validateRoleArn(arn), null, arn);
    }
  });

  it('explains what is wrong', () => {
    assert.match(validateRoleArn('') ?? '', /Enter a role ARN, like arn:aws:iam::123456789012:role\/NAME/);
    assert.match(validateRoleArn('Admin') ?? '', /is not a role ARN/);
    assert.match(validateRoleArn('arn:aws:iam::123456789012:user/bob') ?? '', /is not a role ARN/);
    assert.match(validateRoleArn('arn:aws-iso:iam::123456789012:role/A') ?? '', /Unknown partition "aws-iso"/);
    assert.match(validateRoleArn('arn:aws:iam::12345:role/A') ?? '', /account ID "12345" should be 12 digits/);
    assert.match(validateRoleArn('arn:aws:iam::123456789012:role/bad name') ?? '', /not a valid role name/);
    assert.match(validateRoleArn(`arn:aws:iam::123456789012:role/${'r'.repeat(65)}`) ?? '', /at most 64/);
    assert.match(validateRoleArn('arn:aws:iam::123456789012:role//A') ?? '', /path/);
  });
});

describe('validateMfaSerial', () => {
  it('accepts virtual device ARNs and hardware serials', () => {
    for (const serial of ['arn:aws:iam::123456789012:mfa/alice', 'arn:aws-cn:iam::123456789012:mfa/team/alice.phone', 'GAHT12345678']) {
      assert.equal(validateMfaSerial(serial), null, serial);
    }
  });

  it('explains what is wrong', () => {
    assert.match(validateMfaSerial('') ?? '', /^Enter an MFA device ARN/);
    assert.match(validateMfaSerial('short') ?? '', /is not an MFA device ARN .* or a hardware token serial/);
    assert.match(validateMfaSerial('arn:aws:iam::123456789012:role/x') ?? '', /is not an MFA device ARN/);
    assert.match(validateMfaSerial('arn:aws:iam::1234:mfa/alice') ?? '', /12 digits/);
  });
});

describe('validateDurationSeconds', () => {
  it('accepts whole seconds from 900 to 43200, as a number or text', () => {
    for (const v of [900, 3600, 43200, '900', ' 28800 ']) assert.equal(validateDurationSeconds(v), null, String(v));
  });

  it('explains the range', () => {
    for (const v of [899, 43201, 1.5, NaN, '', '1h', '-900', '3600.0']) {
      assert.match(validateDurationSeconds(v) ?? '', /whole number of seconds from 900 \(15 minutes\) to 43200 \(12 hours\)/, String(v));
    }
  });
});

describe('validateRegion', () => {
  it('accepts AWS region names, GovCloud and China included', () => {
    for (const r of ['eu-west-1', 'us-gov-west-1', 'cn-north-1', 'ap-southeast-4']) assert.equal(validateRegion(r), null, r);
  });

  it('names what is wrong with the example a user can copy', () => {
    for (const r of ['Europe', 'eu-west', 'EU-WEST-1', 'eu-west-1a', '']) assert.equal(validateRegion(r), `"${r}" is not an AWS region, e.g. eu-west-1.`, r);
  });
});
