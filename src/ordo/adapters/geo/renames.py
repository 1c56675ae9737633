"""Names people still write for divisions that were renamed, merged or promoted.

The shipped registry (``data/divisions.csv.gz``) knows each division by its name at the
time the table was cut; addresses keep older names for years (襄樊 became 襄阳 in 2010,
闸北区 merged into 静安区 in 2015) and, the other way round, name a county by its newer
name before the table has it (梁平县 became 梁平区 in 2016). This module holds the
renames as data: old name → the adcode the registry has today. Counties that only
changed 县 → 区 (or a county-level 市 → 区: 吴江市 → 吴江区) need no row: the resolver
tries the other suffix itself. Read-only tables; nothing here changes at run time.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

#: Prefecture-level names no longer in use → the adcode of the division that replaced them.
OLD_CITIES: Mapping[str, str] = MappingProxyType(
    {
        "襄樊市": "420600",  # 2010 → 襄阳市
        "思茅市": "530800",  # 2007 → 普洱市
        "大庸市": "430800",  # 1994 → 张家界市
        "荆沙市": "421000",  # 1996 → 荆州市
        "巢湖市": "340181",  # 2011: the prefecture dissolved, 巢湖市 a county-level city of 合肥
    }
)

#: District / county names no longer in use → the adcode of the district that took them in.
OLD_DISTRICTS: Mapping[str, str] = MappingProxyType(
    {
        "闸北区": "310106",  # 2015 → 静安区
        "卢湾区": "310101",  # 2011 → 黄浦区
        "南汇区": "310115",  # 2009 → 浦东新区
        "宣武区": "110102",  # 2010 → 西城区
        "崇文区": "110101",  # 2010 → 东城区
        "塘沽区": "120116",  # 2009 → 滨海新区
        "汉沽区": "120116",
        "大港区": "120116",
        "蓟县": "120119",  # 2016 → 蓟州区
        "开县": "500154",  # 2016 → 开州区
        "襄阳区": "420607",  # 2010 → 襄州区
        "楚州区": "320803",  # 2012 → 淮安区
    }
)
