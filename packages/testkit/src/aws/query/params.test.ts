import { describe, expect, it } from 'vitest';
import { QueryParams } from './params';

describe('QueryParams', () => {
  it('rule 2: form-decodes %XX and + as space, names case-sensitive', () => {
    const p = QueryParams.fromRequest(
      'Filter.1.Name=tag%3AName&Filter.1.Value.1=my+nat%2Bx%2Fy%2A&filter.2.name=x',
      new URLSearchParams(),
    );
    expect(p.ec2Filters()).toEqual([{ name: 'tag:Name', values: ['my nat+x/y*'] }]);
    expect(p.get('filter.2.name')).toBe('x');
  });

  it('rule 3: reads 1-based lists until the first gap; an omitted list is empty', () => {
    const p = new QueryParams([
      ['InstanceId.1', 'i-a'],
      ['InstanceId.2', 'i-b'],
      ['InstanceId.4', 'i-d'],
    ]);
    expect(p.list('InstanceId')).toEqual(['i-a', 'i-b']);
    expect(p.list('RouteTableId')).toEqual([]);
  });

  it('reads awsQuery member lists and member filters', () => {
    const p = QueryParams.fromRequest(
      'AutoScalingGroupNames.member.1=nat-a&Filters.member.1.Name=tag%3ARole&Filters.member.1.Values.member.1=nat',
      new URLSearchParams(),
    );
    expect(p.memberList('AutoScalingGroupNames')).toEqual(['nat-a']);
    expect(p.memberFilters()).toEqual([{ name: 'tag:Role', values: ['nat'] }]);
  });

  it('merges the query string (GET form) with the body and hides transport keys from records', () => {
    const p = QueryParams.fromRequest(
      'DryRun=true',
      new URLSearchParams('Action=DescribeVpcs&Version=2016-11-15&X-Amz-Date=1'),
    );
    expect(p.get('Action')).toBe('DescribeVpcs');
    expect(p.toRecord()).toEqual({ DryRun: 'true' });
    expect(p.boolean('DryRun')).toBe(true);
  });

  it('rejects malformed booleans and integers, and a filter without a name', () => {
    expect(() => new QueryParams([['DryRun', 'yes']]).boolean('DryRun')).toThrow(/DryRun/);
    expect(() => new QueryParams([['MaxResults', '5x']]).integer('MaxResults')).toThrow(/MaxResults/);
    expect(() => new QueryParams([['Filter.1.Value.1', 'x']]).ec2Filters()).toThrow(
      "The filter 'null' is invalid.",
    );
  });
});
